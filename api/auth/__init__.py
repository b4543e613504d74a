"""Access control: who is calling, and the policy every route declares."""
