"""RL on a language model: a response is an episode, improved with REINFORCE.

The mapping from RL to language models, as running code:

- state s_t:  the tokens so far (the prompt plus the response written so far);
- action a_t: the next token;
- policy π(a|s): the model's next-token distribution (``TokenPolicy``);
- episode:    one complete response, which ends at the token "." ;
- reward:     one score for the whole response, at the end, from ``reward_model``
  (a word list that stands in for a learned reward model: it prefers kind words).

REINFORCE nudges the pretrained model (``lm_model.py``) towards responses that
score well, crediting the end-of-response reward to every token (γ = 1).

Run ``python -m rl4rlhf.lm_rl --seed 0 --updates 100`` (every ``RLConfig``
field is a flag) to pretrain, train and print the mean reward before and after;
the last line printed is JSON.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import gymnasium as gym
import numpy as np
import torch
from rl4rlhf._checks import (
    check_callable,
    check_instance,
    check_int,
    check_positive,
    check_real,
)
from rl4rlhf.cli import parse_config, print_summary
from rl4rlhf.lm_model import (
    END,
    LMConfig,
    Responses,
    TinyLM,
    Vocab,
    encode_prompt,
    generate,
    load_corpus,
    pretrain,
    response_texts,
    sample_next,
)
from rl4rlhf.reinforce import policy_loss, reinforce_weights
from tqdm import tqdm

# --8<-- [start:reward_model]
KIND_WORDS = frozenset(
    "happy glad kind calm warm soft sunny bright sweet safe smiled laughed sang "
    "purred wagged".split()
)
UNKIND_WORDS = frozenset(
    "sad angry lonely afraid alone cold wet dark stormy broken muddy cried hissed "
    "growled whined shivered bit".split()
)
MAX_REWARD = 1.0


def reward_model(response: str) -> float:
    """A stand-in for a learned reward model: it prefers kind, finished sentences.

    0 if unfinished (no "." at the end); else 0.5 + 0.5 (kind - unkind) / (kind +
    unkind), counting each list's words, and 0.5 with neither: 1.0 at most.

        >>> reward_model("the cat sat on the warm mat and purred .")
        1.0
        >>> reward_model("the cat sat on the cold floor and purred .")
        0.5
    """
    words = response.split()
    if not words or words[-1] != END:
        return 0.0
    kind = sum(word in KIND_WORDS for word in words)
    unkind = sum(word in UNKIND_WORDS for word in words)
    return 0.5 if kind + unkind == 0 else 0.5 + 0.5 * (kind - unkind) / (kind + unkind)
    # --8<-- [end:reward_model]


# --8<-- [start:rl_config]
@dataclass(frozen=True)
class RLConfig:
    """REINFORCE on the pretrained model, with the end-of-response reward."""

    seed: int = 0  # seeds the sampled responses
    prompts: tuple[str, ...] = ("the cat", "the dog", "the sea", "the cat sat on the")
    updates: int = 100  # policy-gradient steps
    responses_per_prompt: int = 16  # per prompt per update
    learning_rate: float = 2e-4  # Adam's step size
    max_new_tokens: int = 12  # a response still unfinished after this scores 0
    baseline: str = "mean"  # minus the mean reward of the prompt's responses (GRPO);
    # "loo": of its *other* responses (RLOO); "none": no baseline, plain REINFORCE
    # --8<-- [end:rl_config]

    def __post_init__(self) -> None:
        check_int("seed", self.seed, minimum=0)
        check_int("updates", self.updates, minimum=0)
        check_int("responses_per_prompt", self.responses_per_prompt, minimum=1)
        check_int("max_new_tokens", self.max_new_tokens, minimum=1)
        check_positive("learning_rate", self.learning_rate)
        check_instance("prompts", self.prompts, tuple, "a tuple of strings")
        if not all(isinstance(p, str) for p in self.prompts):
            raise TypeError(f"prompts must be a tuple of strings, got {self.prompts!r}")
        if not self.prompts or not all(p.split() for p in self.prompts):
            raise ValueError(
                f"prompts must be one or more non-empty prompts, got {self.prompts!r}"
            )
        if self.baseline not in ("mean", "loo", "none"):
            raise ValueError(
                f"baseline must be 'mean', 'loo' or 'none', got {self.baseline!r}"
            )


# --8<-- [start:env]
class ResponseEnv(gym.Env):
    """Writing one response, as a Gymnasium environment: ``ResponseEnv(vocab, cfg)``.

    Observation: the token ids so far, prompt included.  Action: the next token.
    Reward: 0 after every token but the last; then ``reward_fn(response)``.  Ends:
    terminated at "."; truncated after ``cfg.max_new_tokens`` tokens.  Each episode
    starts from one of ``cfg.prompts``, picked with ``np_random``.
    """

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        prompt = self.prompts[self.np_random.integers(len(self.prompts))]
        self.ids, self.written = list(prompt), 0  # prompt: its ids, "." first
        return np.array(self.ids), {"prompt": self.vocab.decode(prompt[1:])}

    def step(self, action):
        if isinstance(action, bool) or action not in self.action_space:
            raise ValueError(f"action must be a token id in {self.action_space}")
        self.ids.append(int(action))  # the state gets one token longer
        self.written += 1
        terminated = int(action) == self.vocab.end_id
        truncated = not terminated and self.written == self.max_new_tokens
        reward = 0.0  # no score until the response is complete
        if terminated or truncated:
            reward = self.reward_fn(self.vocab.decode(self.ids[-self.written :]))
        return np.array(self.ids), reward, terminated, truncated, {}
        # --8<-- [end:env]

    def __init__(
        self,
        vocab: Vocab,
        cfg: RLConfig,
        reward_fn: Callable[[str], float] = reward_model,
    ) -> None:
        check_instance("vocab", vocab, Vocab, "a Vocab")
        check_instance("cfg", cfg, RLConfig, "an RLConfig")
        _check_prompts(vocab, cfg.prompts)
        self.vocab, self.reward_fn = vocab, check_callable("reward_fn", reward_fn)
        self.prompts = [encode_prompt(vocab, p) for p in cfg.prompts]
        self.max_new_tokens = cfg.max_new_tokens
        self.action_space = gym.spaces.Discrete(len(vocab))
        self.observation_space = gym.spaces.Sequence(
            gym.spaces.Discrete(len(vocab)), stack=True
        )  # observations are int64 arrays of any length


# --8<-- [start:token_policy]
@dataclass(frozen=True, eq=False)
class TokenPolicy:
    """The model as π(a|s), a policy for ``envs.play_episode``."""

    model: TinyLM
    temperature: float = 1.0

    def __call__(self, obs: np.ndarray, generator: torch.Generator) -> int:
        """obs: s_t, the token ids so far -> a_t, the next token."""
        with torch.no_grad():
            logits = self.model(torch.as_tensor(obs)[None])[:, -1]  # (1, vocab)
        return int(sample_next(logits, self.temperature, generator)[0])
        # --8<-- [end:token_policy]

    def __post_init__(self) -> None:
        check_real("temperature", self.temperature, low=0.0)


# --8<-- [start:log_probs]
def response_log_probs(model: TinyLM, responses: Responses) -> torch.Tensor:
    """log π(a_t | s_t) of every response token, (B, N); 0 after a response ends."""
    B = responses.tokens.shape[0]
    ids = torch.cat([responses.prompt.repeat(B, 1), responses.tokens], 1)  # (B, P+N)
    P = len(responses.prompt)
    logits = model(ids[:, :-1])[:, P - 1 :]  # (B, N, vocab): the logits for a_0..a_N-1
    logp = torch.log_softmax(logits, -1)  # (B, N, vocab)
    taken = logp.gather(-1, responses.tokens[..., None]).squeeze(-1)  # (B, N)
    return taken * responses.mask  # padding after "." is not an action
    # --8<-- [end:log_probs]


# --8<-- [start:rl_update]
# --8<-- [start:token_weights]
def token_weights(rewards: Sequence[float], lengths: Sequence[int], baseline: str):
    """The weight of every token of every response: (Σ lengths,) and (B, N) rows.

    Each response's rewards are [0, ..., 0, R]: with γ = 1, G_t = R for every
    token, so the score is credited to each token, good ones and bad ones alike.
    """
    episodes = [[0.0] * (n - 1) + [r] for r, n in zip(rewards, lengths, strict=True)]
    R, k = np.asarray(rewards, dtype=np.float64), len(rewards)
    b = np.zeros(k)  # "none", and "loo" with k = 1 (no other response): b = 0
    if baseline == "mean":  # b = the prompt's mean reward, one number for its tokens
        b = np.full(k, R.mean())  # includes R_i itself: weights (k-1)/k of "loo"'s
    elif baseline == "loo" and k > 1:  # b_i = the mean of the *other* responses
        b = (R.sum() - R) / (k - 1)
    values = torch.tensor(np.repeat(b, lengths), dtype=torch.float32)  # (Σ lengths,)
    weights = reinforce_weights(episodes, gamma=1.0, values=values)  # G_t - b
    rows = torch.zeros(len(lengths), max(lengths))  # (B, N)
    rows[torch.arange(max(lengths)) < torch.as_tensor(lengths)[:, None]] = weights
    return weights, rows


# --8<-- [end:token_weights]
def rl_step(model, optimizer, vocab, cfg: RLConfig, generator, reward_fn=reward_model):
    """One REINFORCE update: write responses with π itself (temperature 1), score
    them, push log π by the weights.  Returns the rewards of the responses."""
    losses, all_rewards = [], []
    for prompt in cfg.prompts:
        ids, n = encode_prompt(vocab, prompt), cfg.responses_per_prompt
        responses = generate(model, ids, n, cfg.max_new_tokens, 1.0, generator)
        rewards = [reward_fn(t) for t in response_texts(vocab, responses)]
        lengths = responses.mask.sum(1).tolist()  # (B,) tokens per response
        _, weights = token_weights(rewards, lengths, cfg.baseline)  # (B, N)
        log_probs = response_log_probs(model, responses)  # (B, N)
        losses.append(policy_loss(log_probs.flatten(), weights.flatten(), len(rewards)))
        all_rewards += rewards
    loss = torch.stack(losses).mean()  # every prompt counts the same
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return all_rewards
    # --8<-- [end:rl_update]


@dataclass(frozen=True, eq=False)
class RLResult:
    """A REINFORCE run: the improved model, and the mean reward of every update."""

    model: TinyLM
    mean_rewards: tuple[float, ...]  # per update, of the responses it sampled
    wall_s: float


# --8<-- [start:train]
def rl_loop(
    model, vocab, cfg: RLConfig, reward_fn=reward_model, progress=False, on_update=None
):
    """Improve a copy of ``model`` with ``cfg.updates`` REINFORCE updates.
    ``on_update(model)``, if given, looks at the model after each update."""
    started = time.perf_counter()
    model = copy.deepcopy(model).train()  # the pretrained model stays as it was
    generator = torch.Generator().manual_seed(cfg.seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg.learning_rate)
    mean_rewards = []
    for _ in tqdm(range(cfg.updates), "reinforce", disable=not progress):
        rewards = rl_step(model, optimizer, vocab, cfg, generator, reward_fn)
        mean_rewards.append(float(np.mean(rewards)))
        if on_update is not None:
            on_update(model)
    return RLResult(model.eval(), tuple(mean_rewards), time.perf_counter() - started)
    # --8<-- [end:train]


def train(
    model: TinyLM,
    vocab: Vocab,
    cfg: RLConfig | None = None,
    reward_fn: Callable[[str], float] = reward_model,
    progress: bool = False,
    on_update: Callable[[TinyLM], object] | None = None,
) -> RLResult:
    """``rl_loop`` behind its door: bad input fails here, by name, before any
    update.  ``reward_fn`` scores a response's text (text -> float);
    ``on_update(model)``, if given, is called after every update."""
    cfg = RLConfig() if cfg is None else cfg
    _check_task(model, vocab, cfg)
    check_callable("reward_fn", reward_fn)
    if on_update is not None:
        check_callable("on_update", on_update)
    return rl_loop(model, vocab, cfg, reward_fn, progress, on_update)


def mean_reward(
    model,
    vocab,
    prompts,
    n: int,
    max_new_tokens: int,
    seed: int,
    reward_fn: Callable[[str], float] = reward_model,
) -> float:
    """The mean reward of ``n`` sampled responses (temperature 1) per prompt."""
    generator = torch.Generator().manual_seed(seed)
    rewards = []
    for prompt in prompts:
        responses = generate(
            model,
            encode_prompt(vocab, prompt),
            n,
            max_new_tokens,
            temperature=1.0,
            generator=generator,
        )
        rewards += [reward_fn(t) for t in response_texts(vocab, responses)]
    return float(np.mean(rewards))


def _check_prompts(vocab: Vocab, prompts: Sequence[str]) -> None:
    unknown = sorted({w for p in prompts for w in p.split() if w not in vocab.ids})
    if unknown:
        raise ValueError(f"prompts have words outside the vocabulary: {unknown}")


def _check_context(cfg: RLConfig, context: int) -> None:
    """A prompt (with its ".") and a whole response must fit in the model's context."""
    longest = max(1 + len(p.split()) for p in cfg.prompts)
    if longest + cfg.max_new_tokens > context:
        raise ValueError(
            f"max_new_tokens must leave the longest prompt ({longest} tokens) in the "
            f"model's context of {context}, got {cfg.max_new_tokens}"
        )


def _check_task(model: TinyLM, vocab: Vocab, cfg: RLConfig) -> None:
    check_instance("model", model, TinyLM, "a TinyLM")
    check_instance("vocab", vocab, Vocab, "a Vocab")
    check_instance("cfg", cfg, RLConfig, "an RLConfig")
    if len(vocab) != model.head.out_features:
        raise ValueError(
            f"vocab must be the model's vocabulary ({model.head.out_features} "
            f"tokens), got {len(vocab)} tokens"
        )
    _check_prompts(vocab, cfg.prompts)
    _check_context(cfg, model.context)


def main(argv: list[str] | None = None) -> dict:
    """Pretrain a tiny LM (``LMConfig(seed=cfg.seed)``), then REINFORCE."""
    vocab = Vocab(load_corpus())

    def fits(cfg: RLConfig) -> None:  # what RLConfig cannot know: vocab and context
        _check_prompts(vocab, cfg.prompts)
        _check_context(cfg, LMConfig().context)

    cfg = parse_config(RLConfig, argv, check=fits)
    started = time.perf_counter()
    model, vocab = pretrain(LMConfig(seed=cfg.seed))
    pretrain_s = time.perf_counter() - started
    before = mean_reward(model, vocab, cfg.prompts, 256, cfg.max_new_tokens, 123)
    result = train(model, vocab, cfg, progress=True)
    after = mean_reward(result.model, vocab, cfg.prompts, 256, cfg.max_new_tokens, 123)
    return print_summary(
        {
            "seed": cfg.seed,
            "parameters": sum(p.numel() for p in model.parameters()),
            "vocab": len(vocab),
            "pretrain_s": round(pretrain_s, 2),
            "rl_s": round(result.wall_s, 2),
            "reward_before": round(before, 4),
            "reward_after": round(after, 4),
        }
    )


if __name__ == "__main__":
    torch.set_num_threads(1)  # small networks: one thread is faster and steadier
    main()
