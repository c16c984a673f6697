"""Peer reviews (docs/peer-review.md): the coordinator's workspace pages (blueprint `review`)
and the reviewers' personal-link pages (blueprint `reviewer`, public like respond's)."""
