"""The identity: the activation of a linear layer, and the baseline the others are measured against."""
