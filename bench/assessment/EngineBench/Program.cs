using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(SpasmPlatform.Bench.Engine.TriageBenchmarks).Assembly).Run(args);
