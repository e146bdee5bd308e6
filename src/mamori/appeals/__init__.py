"""Appeals: the poster or the requester objects once per decision; another specialist rules."""
