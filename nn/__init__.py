"""nn: neural-network building blocks written only with autograd_engine operations."""
