"""Maximum likelihood on log-parameters with a fallback chain and diagnostics.

Every model here hands over `nll(phi) -> (mean negative log-likelihood, gradient)` on the log
of its positive parameters. `maximise` tries several starting points with L-BFGS-B, polishes
the best with Nelder-Mead when the gradient is not small, refits with a light ridge penalty
toward the start when a parameter runs to its bound, and always returns a `Fit` with
diagnostics (gradient norm, Hessian standard errors, parameters at a bound, the path taken)
instead of raising a bare convergence error — the most reported failure of the peers
(lifetimes #419, #258, #396).

Speed: set `OPENBLAS_NUM_THREADS=1` for these fits; the arrays are 1-D and BLAS threads only
contend (a 10k fit ran 3.2× slower with default threading on a busy 2-core machine).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize

NllGrad = Callable[[np.ndarray], tuple[float, np.ndarray]]
Bounds = Sequence[tuple[float, float]]

LOG_BOUND = 14.0  # |log θ| ≤ 14: θ in [8e-7, 1.2e6]; further out the model is not identified
GRAD_TOL = 1e-4  # largest |∂ mean-NLL / ∂ log θ| accepted as converged
MAX_EVALS = 1500  # likelihood evaluations per optimiser run: every stage ends in bounded time


@dataclass
class Diagnostics:
    """How the optimum was reached and how well the data pin it down."""

    converged: bool
    method: str
    grad_norm: float
    hessian_condition: float | None
    at_bound: list[str]
    standard_errors: dict[str, float | None]
    warnings: list[str] = field(default_factory=list)
    # Parameters whose standard error exceeds their value (SE of log θ > 1): the data cannot
    # tell them from a value twice or half as large, e.g. Pareto/NBD's s = 4.7 ± 9.0.
    unidentified: list[str] = field(default_factory=list)
    suggestion: str | None = None  # which model to use instead

    @property
    def identified(self) -> bool:
        """True when the optimum is interior, the Hessian is positive definite and every
        parameter's standard error is below its value."""
        return (self.converged and not self.at_bound and self.hessian_condition is not None
                and not self.unidentified)

    def to_dict(self) -> dict:
        return {
            "unidentified_parameters": list(self.unidentified),
            "suggestion": self.suggestion,
            "converged": self.converged,
            "method": self.method,
            "grad_norm": self.grad_norm,
            "hessian_condition": self.hessian_condition,
            "at_bound": list(self.at_bound),
            "standard_errors": dict(self.standard_errors),
            "identified": self.identified,
            "warnings": list(self.warnings),
        }


@dataclass
class Fit:
    """A fitted model: natural-scale parameters, total log-likelihood, covariance of log θ."""

    model: str
    names: tuple[str, ...]
    phi: np.ndarray
    log_likelihood: float
    n: float
    cov_phi: np.ndarray | None
    diagnostics: Diagnostics

    @property
    def params(self) -> dict[str, float]:
        return {k: float(v) for k, v in zip(self.names, np.exp(self.phi))}

    def theta(self) -> np.ndarray:
        return np.exp(self.phi)

    def shift(self, delta: np.ndarray, log_likelihood: float) -> None:
        """Undo the internal time rescaling: move log θ by `delta`, restate LL and SEs.

        The covariance of log θ is unchanged by a translation; the natural-scale SEs are not.
        """
        self.phi = self.phi + delta
        self.log_likelihood = float(log_likelihood)
        if self.cov_phi is not None:
            self.diagnostics.standard_errors = _standard_errors(self.names, self.phi, self.cov_phi)


MAX_LOG_SE = 1.0  # SE(log θ) above this: the parameter is not identified
SUGGESTION = {
    "pnbd": "use --model bgnbd: BG/NBD needs less history to pin down dropout than Pareto/NBD "
            "(assetkit falls back to the heuristic meanwhile)",
    "mbgnbd": "use --model bgnbd (fewer dropout assumptions); assetkit falls back to the heuristic meanwhile",
    "bgnbd": "too little repeat history for any purchase model: assetkit uses the shrunk-rate heuristic; "
             "import a longer order history to fit one",
    "gamma_gamma": "spend is estimated by shrinking each buyer's average toward their group's mean instead",
}


def _standard_errors(names, phi: np.ndarray, cov: np.ndarray) -> dict[str, float | None]:
    """Delta method: SE(θ) = θ·SE(log θ)."""
    return {k: float(t * np.sqrt(c)) for k, t, c in zip(names, np.exp(phi), np.diag(cov))}


def fd_gradient(f: Callable[[np.ndarray], float], phi: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central-difference gradient, for likelihoods whose analytic gradient is impractical."""
    g = np.empty_like(phi)
    for i in range(phi.size):
        e = np.zeros_like(phi)
        e[i] = h
        g[i] = (f(phi + e) - f(phi - e)) / (2 * h)
    return g


def _hessian(nll: NllGrad, phi: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Hessian of the mean NLL by central differences of its gradient, symmetrised."""
    k = phi.size
    hess = np.empty((k, k))
    for i in range(k):
        e = np.zeros(k)
        e[i] = h
        hess[i] = (nll(phi + e)[1] - nll(phi - e)[1]) / (2 * h)
    return (hess + hess.T) / 2


def _safe(nll: NllGrad) -> NllGrad:
    """Map non-finite values to a large finite penalty so the optimiser backs off."""

    def wrapped(phi: np.ndarray) -> tuple[float, np.ndarray]:
        with np.errstate(all="ignore"):
            f, g = nll(phi)
        if not np.isfinite(f) or not np.all(np.isfinite(g)):
            return 1e10, np.zeros_like(phi)
        return float(f), g

    return wrapped


def _box(bounds: Bounds | None, k: int) -> tuple[np.ndarray, np.ndarray]:
    b = np.array(bounds if bounds is not None else [(-LOG_BOUND, LOG_BOUND)] * k, float)
    return b[:, 0], b[:, 1]


def _lbfgs(nll: NllGrad, x0: np.ndarray, bounds: Bounds | None = None):
    lo, hi = _box(bounds, x0.size)
    return minimize(nll, np.clip(x0, lo, hi), jac=True, method="L-BFGS-B", bounds=list(zip(lo, hi)),
                    options={"maxiter": 3000, "maxfun": MAX_EVALS, "ftol": 1e-14, "gtol": 1e-9,
                             "maxcor": 20})


def _preconditioned(f: NllGrad, screen: NllGrad, x0: np.ndarray, bounds: Bounds | None = None):
    """Polish on all rows in coordinates whitened by the subsample's Hessian.

    The subsample's optimum is close and its curvature is nearly the full data's (both are mean
    NLLs), so in whitened coordinates L-BFGS starts with the right scale and needs a handful of
    full-data passes instead of ~20. The box does not survive the rotation, so the likelihood is
    evaluated at the point clipped into the box plus a quadratic penalty on the distance to it:
    the polish can never wander where the likelihood is not defined or not computable.
    """
    lo, hi = _box(bounds, x0.size)
    try:
        chol = np.linalg.cholesky(_hessian(screen, x0))
    except np.linalg.LinAlgError:
        return _lbfgs(f, x0, bounds)
    inv_t = np.linalg.inv(chol).T  # φ = x0 + L⁻ᵀ z  ⇒  Hessian in z ≈ I

    def g(z: np.ndarray) -> tuple[float, np.ndarray]:
        raw = x0 + inv_t @ z
        phi = np.clip(raw, lo, hi)
        val, grad = f(phi)
        out = raw - phi
        grad = np.where(out != 0, 0.0, grad) + 2.0 * out
        return val + float(out @ out), inv_t.T @ grad

    res = minimize(g, np.zeros_like(x0), jac=True, method="L-BFGS-B",
                   options={"maxiter": 500, "maxfun": MAX_EVALS // 3, "ftol": 1e-14, "gtol": 1e-9})
    phi = np.clip(x0 + inv_t @ res.x, lo, hi)
    # A line search that stalls at rounding noise ("ABNORMAL") with a tiny gradient is converged.
    if res.success or np.max(np.abs(res.jac)) < GRAD_TOL / 100:
        res.x = phi
        return res
    return _lbfgs(f, phi, bounds)


def maximise(model: str, names: Sequence[str], nll: NllGrad, starts: Sequence[np.ndarray],
             n: float, screen: NllGrad | None = None, bounds: Bounds | None = None) -> Fit:
    """Fit by the fallback chain: multistart L-BFGS-B → Nelder-Mead polish → ridge refit.

    With `screen` (the NLL on a weighted subsample, for large data) the starts are run there
    and only the best is carried to the full data. `bounds` (per log-parameter, default
    ±LOG_BOUND) hold in every stage, and every stage has an evaluation budget.
    """
    lo, hi = _box(bounds, len(names))
    bounds = list(zip(lo, hi))
    f_safe = _safe(nll)
    path: list[str] = []
    best = None
    explore = _safe(screen) if screen is not None else f_safe
    for x0 in starts:
        res = _lbfgs(explore, np.asarray(x0, float), bounds)
        if np.isfinite(res.fun) and res.fun < 1e10 and (best is None or res.fun < best.fun):
            best = res
    path.append(f"L-BFGS-B x{len(starts)} starts" + (" on a subsample" if screen is not None else ""))
    if screen is not None and best is not None:
        best = _preconditioned(f_safe, explore, best.x, bounds)
        path.append("preconditioned L-BFGS-B on all rows")
    if best is None:
        phi = np.asarray(starts[0], float)
        diag = Diagnostics(False, " → ".join(path), float("nan"), None, list(names),
                           {k: None for k in names},
                           ["the likelihood is not finite at any starting point"])
        return Fit(model, tuple(names), phi, float("nan"), n, None, diag)
    phi = best.x
    grad = f_safe(phi)[1]
    if np.max(np.abs(grad)) > GRAD_TOL:
        nm = minimize(lambda p: f_safe(p)[0], phi, method="Nelder-Mead", bounds=bounds,
                      options={"maxiter": 4000, "maxfev": MAX_EVALS, "xatol": 1e-9, "fatol": 1e-13})
        path.append("Nelder-Mead polish")
        if nm.fun <= best.fun:
            phi = _lbfgs(f_safe, nm.x, bounds).x
        grad = f_safe(phi)[1]
    at_bound = [k for k, v, a, b in zip(names, phi, lo, hi) if v > b - 0.5 or v < a + 0.5]
    warnings: list[str] = []
    if at_bound:
        # A ridge on log θ toward the best start keeps the fit finite; say that it was needed.
        ridge = 1e-3
        anchor = np.asarray(starts[0], float)

        def penalised(p: np.ndarray) -> tuple[float, np.ndarray]:
            f, g = f_safe(p)
            return f + ridge * np.sum((p - anchor) ** 2), g + 2 * ridge * (p - anchor)

        phi = _lbfgs(penalised, phi, bounds).x
        grad = f_safe(phi)[1]
        path.append(f"ridge-penalised refit (λ={ridge})")
        warnings.append(f"parameters {', '.join(at_bound)} ran to the edge of the parameter space; "
                        "a small ridge penalty was added, so treat them as weakly identified")
    mean_nll = f_safe(phi)[0]
    grad_norm = float(np.max(np.abs(grad)))
    converged = grad_norm < GRAD_TOL * (10 if at_bound else 1)
    if not converged:
        warnings.append(f"gradient norm {grad_norm:.2g} above {GRAD_TOL:g}: the optimum is not sharp")
    cov, cond, ses = None, None, {k: None for k in names}
    hess = _hessian(f_safe, phi) * n
    eig = np.linalg.eigvalsh(hess) if np.all(np.isfinite(hess)) else np.array([-1.0])
    weak: list[str] = []
    if eig.min() > 0:
        cov = np.linalg.inv(hess)
        cond = float(eig.max() / eig.min())
        ses = _standard_errors(names, phi, cov)
        weak = [k for k, c in zip(names, np.diag(cov)) if c > MAX_LOG_SE ** 2]
        for k in weak:
            warnings.append(f"{k} = {np.exp(phi[names.index(k)]):.3g} ± {ses[k]:.3g} is not identified by this "
                            "data (its standard error exceeds its value)")
    else:
        weak = list(names)
        warnings.append("the Hessian is not positive definite: the data cannot identify every "
                        "parameter, so no standard errors")
    suggestion = SUGGESTION.get(model) if (weak or at_bound) else None
    if suggestion:
        warnings.append(suggestion)
    diag = Diagnostics(converged, " → ".join(path), grad_norm, cond, at_bound, ses, warnings,
                       [k for k in names if k in weak or k in at_bound], suggestion)
    return Fit(model, tuple(names), phi, float(-mean_nll * n), n, cov, diag)
