Console.WriteLine("SarKit benchmarks: see bench/README.md");
