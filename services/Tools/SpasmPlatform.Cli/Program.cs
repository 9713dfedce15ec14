using SpasmPlatform.Cli;

return await CliApp.CreateRootCommand().Parse(args).InvokeAsync();
