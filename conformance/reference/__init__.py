"""Reference implementations the suite runs against itself: small, loopback-only stand-ins for the services an LER
system talks to (the Credential Registry's read API), so tests and `make demo` exercise real HTTP without the
network."""
