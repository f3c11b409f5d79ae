"""Research code kept out of the runtime: benchmarks, evaluations and model training.

Installed by the local and test settings only; production settings and the Docker image leave it out,
so nothing here can run in a serving process.
"""
