"""The emulated Dataverse: a versioned store per environment and a Web API subset at its organisation URL."""
