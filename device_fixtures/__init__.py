"""Protocol-faithful simulated ISP devices on loopback, for tests, benchmarks and the demo.

Nothing here imports the application: each fixture is a real server speaking its wire protocol.
"""
