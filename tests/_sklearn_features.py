"""Which of scikit-learn's features the installed release has.

skbp supports scikit-learn from 1.6 (pyproject.toml). A test that compares
with a scikit-learn feature added later skips on older releases with one of
these marks, whose reason names the feature and the release that added it.
"""

import pytest
import sklearn
from sklearn.utils.fixes import parse_version

# The release itself: a development build 1.8.dev0 counts as 1.8.
SKLEARN_VERSION = parse_version(parse_version(sklearn.__version__).base_version)


def sklearn_has(version):
    """Whether the installed scikit-learn is ``version`` or later."""
    return SKLEARN_VERSION >= parse_version(version)


def needs_sklearn(version, feature):
    """Skip unless scikit-learn is ``version`` or later; ``feature`` says what."""
    return pytest.mark.skipif(
        not sklearn_has(version),
        reason=f"{feature} from {version} (installed: {sklearn.__version__})",
    )


MLP_SAMPLE_WEIGHT = needs_sklearn(
    "1.7", "scikit-learn's MLPClassifier and MLPRegressor take sample_weight"
)
MLP_REGRESSOR_LOSS = needs_sklearn("1.7", "scikit-learn's MLPRegressor takes loss=")
