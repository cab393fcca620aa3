"""Talking to live services, for any protocol: the immutable transcript and its one recorder (transcript.py), time
budgets (budget.py), the counter-party server the suite runs for wallets and client apps (server.py), the drivers
that hand them a link (drivers.py), the one runner of a counter-party's sessions (sessions.py), what a counter-party
observed (observations.py), and the service under test as a subject whose flows its standard registered
(service.py)."""
