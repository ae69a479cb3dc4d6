"""Papers cited by more than one family's entries, written once."""

from __future__ import annotations

from service.numerics.catalog.facts import Reference

__all__ = [
    "BLONDEL_MARTINS_NICULAE",
    "GLOROT_BENGIO",
    "GLOROT_BORDES_BENGIO",
    "HE",
    "HENDRYCKS_GIMPEL",
    "HOWARD_MOBILENETV3",
    "SHAZEER",
]

HE = Reference(
    "He, Zhang, Ren & Sun",
    "Delving Deep into Rectifiers: Surpassing Human-Level Performance on ImageNet Classification",
    "ICCV",
    2015,
    "https://arxiv.org/abs/1502.01852",
)
GLOROT_BENGIO = Reference(
    "Glorot & Bengio",
    "Understanding the difficulty of training deep feedforward neural networks",
    "AISTATS",
    2010,
    "https://proceedings.mlr.press/v9/glorot10a.html",
)
GLOROT_BORDES_BENGIO = Reference(
    "Glorot, Bordes & Bengio",
    "Deep Sparse Rectifier Neural Networks",
    "AISTATS",
    2011,
    "https://proceedings.mlr.press/v15/glorot11a.html",
)
HENDRYCKS_GIMPEL = Reference(
    "Hendrycks & Gimpel",
    "Gaussian Error Linear Units (GELUs)",
    "arXiv:1606.08415",
    2016,
    "https://arxiv.org/abs/1606.08415",
)
HOWARD_MOBILENETV3 = Reference(
    "Howard et al.",
    "Searching for MobileNetV3",
    "ICCV",
    2019,
    "https://arxiv.org/abs/1905.02244",
)
BLONDEL_MARTINS_NICULAE = Reference(
    "Blondel, Martins & Niculae",
    "Learning with Fenchel-Young Losses",
    "JMLR 21",
    2020,
    "https://arxiv.org/abs/1901.02324",
)
SHAZEER = Reference(
    "Shazeer",
    "GLU Variants Improve Transformer",
    "arXiv:2002.05202",
    2020,
    "https://arxiv.org/abs/2002.05202",
)
