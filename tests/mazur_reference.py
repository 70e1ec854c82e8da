"""Mazur's worked example as printed: the reference numbers the tests hold skbp to.

Independent of skbp: typed from Mazur's picture and text (and the retelling
in ../shared/seeds/003), shared by the test files that check against them.
"""

# Mazur's picture: w1: i1->h1, w2: i2->h1, w3: i1->h2, w4: i2->h2,
# w5: h1->o1, w6: h2->o1, w7: h1->o2, w8: h2->o2, so (layer, from, to) with
# the weight ``coefs_[layer - 1][from, to]``:
MAZUR_WEIGHTS = {
    "w1": (1, 0, 0),
    "w2": (1, 1, 0),
    "w3": (1, 0, 1),
    "w4": (1, 1, 1),
    "w5": (2, 0, 0),
    "w6": (2, 1, 0),
    "w7": (2, 0, 1),
    "w8": (2, 1, 1),
}
MAZUR_INITIAL = dict(w1=0.15, w2=0.2, w3=0.25, w4=0.3, w5=0.4, w6=0.45, w7=0.5, w8=0.55)
MAZUR_X = [[0.05, 0.10]]
MAZUR_Y = [[0.01, 0.99]]
# Mazur's "w_i+" after one step, as printed (the retelling in seeds/003).
MAZUR_NEW_WEIGHTS = dict(
    w1="0.149780716",
    w2="0.19956143",
    w3="0.24975114",
    w4="0.29950229",
    w5="0.35891648",
    w6="0.408666186",
    w7="0.511301270",
    w8="0.561370121",
)
