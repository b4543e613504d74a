"""Gradient-boosted trees for `qualify calibrate`: fitting scikit-learn's HistGradientBoostingClassifier, exporting its
trees to the explicit JSON `library.schemas.Tree`, and evaluating exported trees over many leads at once.

The batch functions here and `agent.fitted.tree_path` (one lead, production) read the same exported trees; tests check
that they agree with each other and with scikit-learn's own decision function.
"""

from __future__ import annotations

import sys

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from threadpoolctl import threadpool_limits

from library.schemas import Tree

MAX_FLOAT = sys.float_info.max  # stands in for an infinite split threshold (JSON has no infinity)
THREADS = 1
# Fixed hyper-parameters. On X Education's DEV half (benchmarks/x_education.py) learning rate, leaf count, leaf size and
# L2 were flat within 0.001 AUC over a grid; sampling half the features at each split (`max_features`, like XGBoost's
# colsample) lifted set A by about 0.001-0.002 and left set B unchanged, so it is on.
PARAMS = {
    "learning_rate": 0.06,
    "max_iter": 500,
    "max_leaf_nodes": 15,
    "min_samples_leaf": 20,
    "l2_regularization": 1.0,
    "early_stopping": True,
    "validation_fraction": 0.1,
    "n_iter_no_change": 30,
    "max_features": 0.5,
}


def fit_boosted(
    x: np.ndarray, y: np.ndarray, categorical: list[bool], monotone: list[int], seed: int = 0
) -> HistGradientBoostingClassifier:
    """Fit on coded inputs (numbers, NaN when missing; category indexes), with monotone constraints on numbers; early
    stopping on a held-out tenth of the rows decides how many trees."""
    model = HistGradientBoostingClassifier(
        **PARAMS,
        categorical_features=np.array(categorical, dtype=bool),
        monotonic_cst=[0 if c else m for c, m in zip(categorical, monotone, strict=True)],
        random_state=seed,
    )
    with threadpool_limits(THREADS):  # OpenMP threads spin on a shared, loaded machine: one per fit is steadier
        return model.fit(x, y)


def export(
    model: HistGradientBoostingClassifier, categorical: list[bool], n_codes: list[int]
) -> tuple[float, list[Tree]]:
    """The model's raw-log-odds intercept and its trees; `n_codes[j]` is how many codes categorical feature j has."""
    cats = [j for j, c in enumerate(categorical) if c]
    order = cats + [j for j, c in enumerate(categorical) if not c]  # the model's preprocessor puts categoricals first
    encoder = model._preprocessor.named_transformers_["encoder"] if cats else None  # noqa: SLF001
    seen = {j: [int(v) for v in encoder.categories_[k] if v == v] for k, j in enumerate(cats)} if encoder else {}
    trees, intercept = [], float(np.ravel(model._baseline_prediction)[0])  # noqa: SLF001
    for (predictor,) in model._predictors:  # noqa: SLF001
        nodes, bitsets = predictor.nodes, predictor.raw_left_cat_bitsets
        n = len(nodes)
        value = nodes["value"].astype(float).copy()
        for i in range(n - 1, -1, -1):  # children come after parents: fill internal nodes bottom-up
            if not nodes["is_leaf"][i]:
                left, right = int(nodes["left"][i]), int(nodes["right"][i])
                cl, cr = float(nodes["count"][left]), float(nodes["count"][right])
                value[i] = (cl * value[left] + cr * value[right]) / (cl + cr) if cl + cr else 0.0
        feature, threshold, categories = [], [], {}
        for i in range(n):
            if nodes["is_leaf"][i]:
                feature.append(-1)
                threshold.append(0.0)
                continue
            j = order[int(nodes["feature_idx"][i])]
            feature.append(j)
            t = float(nodes["num_threshold"][i])
            threshold.append(min(max(t, -MAX_FLOAT), MAX_FLOAT))
            if nodes["is_categorical"][i]:
                words = bitsets[int(nodes["bitset_idx"][i])]
                known = seen[j]
                left_codes = [c for k, c in enumerate(known) if (int(words[k // 32]) >> (k % 32)) & 1]
                if nodes["missing_go_to_left"][i]:  # codes unseen in training are missing to the model
                    left_codes += [c for c in range(n_codes[j]) if c not in known]
                categories[i] = sorted(left_codes)
        trees.append(
            Tree(
                feature=feature,
                threshold=threshold,
                left=[int(v) for v in nodes["left"]],
                right=[int(v) for v in nodes["right"]],
                missing_left=[bool(v) for v in nodes["missing_go_to_left"]],
                categories=categories,
                value=[float(v) for v in value],
            )
        )
    roots = sum(t.value[0] for t in trees)
    return intercept + roots, trees


def scaled(trees: list[Tree], weight: float) -> list[Tree]:
    """The trees with every node value multiplied by `weight` (a blend's share): outputs and contributions scale alike."""
    return [t.model_copy(update={"value": [weight * v for v in t.value]}) for t in trees]


def recode(trees: list[Tree], fitted: list[list[str] | None], target: list[list[str] | None]) -> list[Tree]:
    """Trees fitted on one encoding's category codes (`fitted[j]`: feature j's levels, None when numeric), re-expressed
    in another's (`target`), so trees of several CV folds can join one model. Levels are matched by name; a target
    code the fold did not know (a level it did not keep, or <other>) goes where the fold's <other> code went."""
    maps = {}
    for j, (mine, theirs) in enumerate(zip(fitted, target, strict=True)):
        if mine is not None and theirs is not None:
            index = {v: k for k, v in enumerate(mine)}
            maps[j] = [index.get(v, len(mine)) for v in theirs] + [len(mine)]
    out = []
    for tree in trees:
        categories = {}
        for node, codes in tree.categories.items():
            left, to_fold = set(codes), maps[tree.feature[node]]
            categories[node] = [c for c, fold_code in enumerate(to_fold) if fold_code in left]
        out.append(tree.model_copy(update={"categories": categories}))
    return out


def tree_contributions(trees: list[Tree], x: np.ndarray) -> np.ndarray:
    """Per lead (row of coded inputs) and feature, the summed tree-path contributions (raw log-odds).

    A leaf's contributions are the same for every lead that reaches it, so each tree's table of per-node path sums
    is built once and every lead only has to be routed to its leaf."""
    n, f = x.shape
    out = np.zeros((n, f))
    by_feature = np.ascontiguousarray(x.T)
    for tree in trees:
        out += _path_sums(tree, f)[_leaves(tree, by_feature)]
    return out


def tree_log_odds_and_mean_contributions(trees: list[Tree], x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`tree_log_odds` and the mean over leads of `tree_contributions`, without the leads x features table: a tree's
    mean contribution is its leaves' path sums weighted by how many leads reach each leaf."""
    n, f = x.shape
    z, mean = np.zeros(n), np.zeros(f)
    by_feature = np.ascontiguousarray(x.T)
    for tree in trees:
        leaf = _leaves(tree, by_feature)
        z += np.asarray(tree.value)[leaf] - tree.value[0]
        mean += np.bincount(leaf, minlength=len(tree.feature)) @ _path_sums(tree, f) / n
    return z, mean


def tree_log_odds(trees: list[Tree], x: np.ndarray) -> np.ndarray:
    """Per lead, the sum over trees of (leaf value - root value): with the exported intercept, the raw log-odds (the
    contributions of `tree_contributions` summed, without building them feature by feature)."""
    z = np.zeros(x.shape[0])
    by_feature = np.ascontiguousarray(x.T)
    for tree in trees:
        z += np.asarray(tree.value)[_leaves(tree, by_feature)] - tree.value[0]
    return z


def _path_sums(tree: Tree, n_features: int) -> np.ndarray:
    """Per node, the change in node value credited to each feature on the path from the root (as `tree_path`)."""
    sums = np.zeros((len(tree.feature), n_features))
    stack = [0]
    while stack:
        node = stack.pop()
        j = tree.feature[node]
        if j < 0:
            continue
        for child in (tree.left[node], tree.right[node]):
            sums[child] = sums[node]
            sums[child, j] += tree.value[child] - tree.value[node]
            stack.append(child)
    return sums


def _leaves(tree: Tree, by_feature: np.ndarray) -> np.ndarray:
    """The leaf each lead reaches, routed as `agent.fitted.tree_path` does, one node at a time: the leads at a node are
    split by its test on one feature (`by_feature[j]` is feature j's coded inputs over every lead)."""
    leaf = np.zeros(by_feature.shape[1], dtype=int)
    stack = [(0, np.arange(by_feature.shape[1]))]
    while stack:
        node, leads = stack.pop()
        j = tree.feature[node]
        if j < 0:
            leaf[leads] = node
            continue
        v = by_feature[j][leads]
        codes = tree.categories.get(node)
        if codes is not None:  # listed codes go left; any other code (and NaN) right
            go_left = np.isin(v, codes)
        else:
            go_left = v <= tree.threshold[node]  # False for NaN: missing values go right unless missing_left
            if tree.missing_left[node]:
                go_left |= np.isnan(v)
        stack.append((tree.left[node], leads[go_left]))
        stack.append((tree.right[node], leads[~go_left]))
    return leaf
