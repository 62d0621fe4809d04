"""The candidate policy's own bookkeeping: counts per peer, bounded memory."""

from __future__ import annotations

import pytest

from media_worker.candidate_policy import CandidateBudget, CandidatePolicy
from media_worker.errors import TooManyCandidates


def test_a_budget_refuses_past_the_cap_until_its_peer_offers_again() -> None:
    budget = CandidateBudget(CandidatePolicy(max_per_peer=2))
    budget.start(("c1", "p1"), carried=1)
    budget.spend(("c1", "p1"))
    with pytest.raises(TooManyCandidates, match="at most 2"):
        budget.spend(("c1", "p1"))
    budget.start(("c1", "p1"), carried=0)
    budget.spend(("c1", "p1"))


def test_a_budget_remembers_a_bounded_number_of_peers_forgetting_the_oldest() -> None:
    budget = CandidateBudget(CandidatePolicy(max_per_peer=1), max_peers=2)
    for peer in ("p1", "p2"):
        budget.spend(("c1", peer))
    budget.spend(("c1", "p3"))  # p1, the oldest, is forgotten: its count starts again
    budget.spend(("c1", "p1"))
    with pytest.raises(TooManyCandidates):
        budget.spend(("c1", "p3"))


def test_leaving_forgets_the_count() -> None:
    budget = CandidateBudget(CandidatePolicy(max_per_peer=1))
    budget.spend(("c1", "p1"))
    budget.forget(("c1", "p1"))
    budget.spend(("c1", "p1"))
