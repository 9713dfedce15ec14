using SpasmPlatform.Console;

return ConsoleHost.Run(args);
