"""The op catalogue: each primitive with its forward and backward side by side, and the
composites written from primitives (which need no backward of their own)."""
