"""The suite as a counter-party: servers an implementation under test (a wallet, a client application) calls, the
drivers that hand it an offer or link, and the observations the servers note beside each request for the rules."""
