"""Human review: assignment, the queue, and SDR/AE decisions bound to a scorecard revision."""
