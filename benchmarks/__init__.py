"""The speed benchmark of skbp against scikit-learn's MLPClassifier.

``python benchmarks/run.py`` (``make bench``) is the entry point; its
docstring describes the method and the targets. The modules:

* ``run``: the command line, the child process per CPU class, the outputs;
* ``configs``: what is benchmarked (fit configurations, scaling sizes);
* ``machine``: the machine, the kernels that run, the CPU-class environment;
* ``measure``: one CPU class in this process, config by config;
* ``workloads``: what is timed (data, fits, the GEMM bound, torch, probes);
* ``pairing``: the alternating paired-timing loop and the retry budget;
* ``scaling``: time per sample and peak memory over data sizes;
* ``metrics``: pure functions from timings to ratios, verdicts and targets;
* ``schema``: the typed result records and their JSON form;
* ``report``: the text tables and the reStructuredText for the docs.

``_common``, ``_memory`` and ``_profile`` are shared helpers, the memory
worker script and the fit profiler.
"""
