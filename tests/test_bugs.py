"""The bug gallery's broken copies: each differs from the correct code in exactly one line, each runs, and
each does what the page says it does (fast settings, several seeds)."""

from __future__ import annotations

import dataclasses
import difflib
import importlib
import inspect
from unittest import mock

import numpy as np
import pytest
import torch
from rl4rlhf.bugs import BUGS, changed_lines, one_line_diff, planted, section_code
from rl4rlhf.gridworld import GridWorld

from rl4rlhf import bugs, dqn, qtable, reinforce, returns

FAST_DQN = dataclasses.replace(dqn.MAZE_CONFIG, total_steps=300, learning_starts=64, buffer_size=300, eval_every=150)


@pytest.fixture(autouse=True)
def _one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


# ------------------------------------------------------------------------------- one line


@pytest.mark.parametrize("name", sorted(BUGS))
def test_each_broken_copy_differs_from_the_correct_code_in_exactly_one_line(name: str):
    bug = BUGS[name]
    correct, broken = section_code(bug.section), section_code(bugs.broken_section(bug))
    changes = [op for op in difflib.SequenceMatcher(a=correct, b=broken).get_opcodes() if op[0] != "equal"]
    assert len(changes) == 1, changes
    _, i1, i2, j1, j2 = changes[0]
    assert (i2 - i1, j2 - j1) in ((1, 1), (1, 0), (0, 1)), changes
    removed, added = changed_lines(bug)
    assert removed == correct[i1:i2] and added == broken[j1:j2]


@pytest.mark.parametrize("name", sorted(BUGS))
def test_each_broken_copy_has_the_correct_functions_name_and_signature(name: str):
    bug = BUGS[name]
    correct = getattr(importlib.import_module(bug.home), bug.function)
    broken = getattr(bugs, bug.function)
    assert inspect.signature(inspect.unwrap(broken)) == inspect.signature(inspect.unwrap(correct))


@pytest.mark.parametrize("name", sorted(BUGS))
def test_the_diff_is_a_unified_diff_of_the_two_sections(name: str):
    bug = BUGS[name]
    lines = one_line_diff(bug).splitlines()
    assert lines[0] == f"--- {bug.section}" and lines[1] == f"+++ {bugs.broken_section(bug)}"
    assert lines[2].startswith("@@")


def test_section_code_leaves_out_docstrings_and_refuses_a_missing_section():
    code = section_code("snippets/returns.py:returns_to_go")
    assert code[0].startswith("def returns_to_go(") and not any('"""' in line for line in code)
    with pytest.raises(ValueError, match="^spec"):
        section_code("snippets/returns.py:no_such_section")


@pytest.mark.parametrize("name", sorted(BUGS))
def test_planted_swaps_the_copy_in_and_back_out(name: str):
    bug = BUGS[name]
    modules = [importlib.import_module(m) for m in bug.used_by]
    before = [getattr(m, bug.function) for m in modules]
    with planted(bug):
        during = [getattr(m, bug.function) for m in modules]
        assert all(d is not b for d, b in zip(during, before, strict=True))
    assert [getattr(m, bug.function) for m in modules] == before


# ------------------------------------------------------------------------------- each runs


@pytest.mark.parametrize("name", ["no_terminal_mask", "no_zero_grad", "target_update_backwards"])
def test_each_dqn_bug_trains_without_an_error(name: str):
    with planted(BUGS[name]):
        result = dqn.train(FAST_DQN)
    assert len(result.eval_history) == 2 and np.isfinite(result.final_eval_mean)


@pytest.mark.parametrize("name", ["forward_returns", "loss_sign"])
def test_each_reinforce_bug_trains_without_an_error(name: str):
    with planted(BUGS[name]):
        result = reinforce.train(reinforce.ReinforceConfig(episodes=5, seed=0))
    assert len(result.episode_returns) == 5


def test_the_ties_bug_trains_without_an_error():
    with planted(BUGS["ties_to_first"]):
        run = qtable.q_learning(GridWorld(), episodes=3, seed=0)
    assert len(run.episode_returns) == 3


# ------------------------------------------------------------------------------- what each does


def test_without_the_mask_a_terminal_transition_bootstraps():
    net = torch.nn.Linear(2, 2)
    with torch.no_grad():
        net.weight.zero_(), net.bias.copy_(torch.tensor([3.0, 5.0]))  # Q(s', ·) = [3, 5]
    args = (net, torch.tensor([1.0]), torch.zeros(1, 2), torch.tensor([1.0]), 0.5)
    assert dqn.td_target(*args).item() == 1.0  # the end: just r
    assert bugs.td_target(*args).item() == 1.0 + 0.5 * 5.0  # r + γ max Q(s', a'): a future that is not there


def test_without_zero_grad_the_gradients_pile_up():
    torch.manual_seed(0)
    q = dqn.QNetwork(4, 2, (8,))
    target = dqn.QNetwork(4, 2, (8,))
    batch = dqn.Batch(
        torch.randn(5, 4), torch.tensor([0, 1, 0, 1, 0]), torch.ones(5), torch.randn(5, 4), torch.zeros(5)
    )
    cfg = dataclasses.replace(FAST_DQN, max_grad_norm=1e9)
    optimizer = torch.optim.SGD(q.parameters(), lr=0.0)  # lr 0: the weights stay, only .grad changes
    with planted(BUGS["no_zero_grad"]):
        dqn.train_step(q, target, optimizer, batch, cfg)
        once = [p.grad.clone() for p in q.parameters()]
        dqn.train_step(q, target, optimizer, batch, cfg)
    for p, g in zip(q.parameters(), once, strict=True):
        torch.testing.assert_close(p.grad, 2 * g)  # the same batch twice: twice the gradient
    dqn.train_step(q, target, optimizer, batch, cfg)  # the correct step starts from zero
    for p, g in zip(q.parameters(), once, strict=True):
        torch.testing.assert_close(p.grad, g)


def test_the_backwards_target_update_resets_the_online_network():
    torch.manual_seed(0)
    online, target = dqn.QNetwork(4, 2, (8,)), dqn.QNetwork(4, 2, (8,))
    old_target = [p.clone() for p in target.parameters()]
    bugs.update_target(target, online, 1.0)
    for o, t, old in zip(online.parameters(), target.parameters(), old_target, strict=True):
        assert torch.equal(t, old) and torch.equal(o, old)  # the target never moves; the online net is reset
    online, target = dqn.QNetwork(4, 2, (8,)), dqn.QNetwork(4, 2, (8,))
    old_online = [p.clone() for p in online.parameters()]
    dqn.update_target(target, online, 1.0)  # the correct one: the target copies the online net, which stays
    for o, t, old in zip(online.parameters(), target.parameters(), old_online, strict=True):
        assert torch.equal(t, old) and torch.equal(o, old)


def test_forward_returns_credit_the_rewards_before_each_step():
    rewards = [1.0, 0.0, 0.0, 5.0]
    assert returns.returns_to_go(rewards).tolist() == [6.0, 5.0, 5.0, 5.0]  # what comes after t
    assert bugs.returns_to_go(rewards).tolist() == [1.0, 1.0, 1.0, 6.0]  # what came before t (and t)


def test_the_flipped_loss_has_exactly_the_opposite_gradient():
    logits = torch.zeros(3, requires_grad=True)
    log_probs = torch.log_softmax(logits, 0)[[0, 1]]  # two steps, actions 0 and 1
    weights = torch.tensor([2.0, -1.0])
    (right,) = torch.autograd.grad(reinforce.policy_loss(log_probs, weights, 1), logits, retain_graph=True)
    (wrong,) = torch.autograd.grad(bugs.policy_loss(log_probs, weights, 1), logits)
    torch.testing.assert_close(wrong, -right)
    assert right[0] < 0 < wrong[0]  # a descent step raises action 0's logit only with the correct sign


def test_ties_to_first_always_picks_action_0_on_an_all_zero_row():
    rng = np.random.default_rng(0)
    assert {bugs.epsilon_greedy(np.zeros(4), 0.0, rng) for _ in range(50)} == {0}
    assert {qtable.epsilon_greedy(np.zeros(4), 0.0, rng) for _ in range(50)} == {0, 1, 2, 3}


@pytest.mark.parametrize("seed", range(5))
def test_ties_to_first_gets_stuck_where_random_ties_find_the_goal(seed: int):
    env = GridWorld(step_reward=0.0)
    right = qtable.q_learning(env, episodes=30, seed=seed)
    with planted(BUGS["ties_to_first"]):
        wrong = qtable.q_learning(env, episodes=30, seed=seed)
    assert (right.episode_lengths < env.max_steps).sum() >= 25  # nearly every episode reaches the goal
    assert (wrong.episode_lengths < env.max_steps).sum() <= 3  # nearly none does


@pytest.mark.parametrize("name", ["forward_returns", "loss_sign"])
@pytest.mark.parametrize("seed", range(3))
def test_the_reinforce_bugs_make_cartpole_worse_than_it_started(name: str, seed: int):
    cfg = reinforce.ReinforceConfig(episodes=40, seed=seed, stop_when_solved=False)
    with planted(BUGS[name]):
        episode_returns = np.array(reinforce.train(cfg).episode_returns)
    assert episode_returns[-10:].mean() < episode_returns[:10].mean()


# ------------------------------------------------------------------------------- the two that do not break


def test_a_target_with_a_gradient_changes_nothing_with_a_separate_target_network():
    right = dqn.train(FAST_DQN)
    with mock.patch.object(dqn, "td_target", inspect.unwrap(dqn.td_target)):  # no @torch.no_grad()
        wrong = dqn.train(FAST_DQN)
    assert right.eval_history == wrong.eval_history
    cells = torch.eye(16)
    torch.testing.assert_close(right.q_network(cells), wrong.q_network(cells), rtol=0, atol=0)


def test_a_baseline_not_detached_crashes_our_train():
    source = inspect.getsource(reinforce.reinforce_weights)
    assert source.count("values.detach()") == 1
    namespace = dict(vars(reinforce))
    exec(source.replace("values.detach()", "values"), namespace)  # the one-line change
    with mock.patch.object(reinforce, "reinforce_weights", namespace["reinforce_weights"]):
        with pytest.raises(RuntimeError, match="backward through the graph a second time"):
            reinforce.train(reinforce.ReinforceConfig(episodes=3, seed=0))


# ------------------------------------------------------------------------------- the page's words


def test_the_page_states_the_settings_the_runs_use():
    from figures import bugs_runs

    page = (bugs.ROOT / "docs" / "bugs.md").read_text(encoding="utf-8")
    words = {3: "three", 100: "a hundred"}
    assert f"the same {words[bugs_runs.N_SEEDS]} seeds" in page
    assert f"REINFORCE on CartPole for {words[bugs_runs.CARTPOLE_EPISODES]} episodes" in page
    assert bugs_runs.Q_LEARNING == qtable.QLearningConfig()  # "the Q-function page's settings"
    assert GridWorld().step_reward == -0.01 and "each move costs 0.01" in page
    assert all(f"{{{{ table_bug_diff_{name} }}}}" in page for name in BUGS)
    assert "rewards `[1, 0, 0, 5]` give returns `[6, 5, 5, 5]`" in page
    assert returns.returns_to_go([1, 0, 0, 5]).tolist() == [6, 5, 5, 5]
    assert "after an update with τ = 1 the target equals the online network" in page
