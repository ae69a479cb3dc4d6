"""Self-gated activations x g(x): silu (swish), hard_swish and mish.

Each is x times a sigmoid-like gate; the derivatives are written through the gate so that
nothing is formed as 1 - (something that rounds to 1).

In the compiled kernels, vmath.exp saturates at e^-708 and e^709 instead of reaching 0 or
overflowing; a gate built on it is then about 1e-308 where it should be smaller, and times
any float32 x, at most 3.4e38, that is still far below float32's least subnormal: the 0 it
should be.
"""
