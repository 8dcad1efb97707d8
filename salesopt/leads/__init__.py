"""The lead process the plan decides: grading, response deadlines, and the queues."""
