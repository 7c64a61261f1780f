"""Pages: linkage review (the queue of uncertain pairs, one pair, splitting a merge)."""
