"""viz: pictures of the forward and backward graph, a step-through of backprop, and plots."""
