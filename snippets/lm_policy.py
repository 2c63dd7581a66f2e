"""A language model is a policy: train a tiny one, then improve it with REINFORCE.

The mapping from RL to language models, as running code:

- state s_t:  the tokens so far (the prompt plus the response written so far);
- action a_t: the next token;
- policy π(a|s): the model's next-token distribution (a softmax over the vocabulary);
- episode:    one complete response, which ends at the token "." ;
- reward:     one score for the whole response, at the end, from ``reward_model``
  (a word list that stands in for a learned reward model: it prefers kind words).

First the model learns to continue text from ``lm_corpus.txt`` (the "pretraining"
step, a few seconds on a CPU).  Then REINFORCE nudges it towards responses that
score well, crediting the end-of-response reward to every token (γ = 1).

Run ``python -m snippets.lm_policy --seed 0`` to train both stages and print the
mean reward before and after; the last line printed is JSON.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from numbers import Integral, Real
from pathlib import Path

import gymnasium as gym
import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from tqdm import tqdm

from snippets._checks import check_instance, check_real
from snippets.reinforce import policy_loss, reinforce_weights

CORPUS_PATH = Path(__file__).with_name("lm_corpus.txt")
END = "."  # ends every sentence, so it ends a response and starts the next one


# --8<-- [start:vocab]
class Vocab:
    """Word-level tokens: every distinct word of the corpus, and "." as its own token.

    >>> vocab = Vocab(["the cat sat .", "the dog ran ."])
    >>> vocab.tokens
    ('.', 'cat', 'dog', 'ran', 'sat', 'the')
    >>> vocab.encode("the cat ran")
    [5, 1, 3]
    """

    def __init__(self, sentences: Sequence[str]) -> None:
        words = {word for sentence in sentences for word in sentence.split()}
        if not words:
            raise ValueError("sentences must hold at least one word, got none")
        self.tokens = tuple(sorted(words | {END}))  # sorted: the same ids every run
        self.ids = {token: i for i, token in enumerate(self.tokens)}
        self.end_id = self.ids[END]

    def __len__(self) -> int:
        return len(self.tokens)

    def encode(self, text: str) -> list[int]:
        unknown = [word for word in text.split() if word not in self.ids]
        if unknown:
            raise ValueError(f"text has words outside the vocabulary: {unknown}")
        return [self.ids[word] for word in text.split()]

    def decode(self, ids: Sequence[int]) -> str:
        return " ".join(self.tokens[int(i)] for i in ids)


def load_corpus(path: Path = CORPUS_PATH) -> list[str]:
    """The corpus's sentences, one per line, each ending in " ."."""
    sentences = [line.strip() for line in path.read_text("utf-8").splitlines()]
    sentences = [s for s in sentences if s]
    bad = [s for s in sentences if not s.endswith(f" {END}")]
    if not sentences or bad:
        raise ValueError(f"{path}: every line must be a sentence ending in ' .'")
    return sentences


# --8<-- [end:vocab]


# --8<-- [start:model]
@dataclass(frozen=True)
class LMConfig:
    """The tiny language model and its pretraining (next-token prediction)."""

    seed: int = 0
    """seeds the initial weights and the order of the training windows"""
    context: int = 24
    """the most tokens the model reads; longer inputs keep only the last ones"""
    width: int = 48
    """the size of each token's vector (d_model)"""
    heads: int = 4
    """attention heads per layer (width must divide by it)"""
    layers: int = 2
    """transformer blocks"""
    steps: int = 600
    """pretraining steps (AdamW), each on ``batch_size`` windows of the corpus"""
    batch_size: int = 32
    """windows of ``context`` + 1 tokens per pretraining step"""
    learning_rate: float = 3e-3
    """AdamW's step size for pretraining"""

    def __post_init__(self) -> None:
        for name in ("context", "width", "heads", "layers", "steps", "batch_size"):
            _check_int(name, getattr(self, name), minimum=1)
        _check_positive("learning_rate", self.learning_rate)
        _check_heads(self.width, self.heads)


class Block(nn.Module):
    """One transformer block: causal self-attention, then an MLP, each residual."""

    def __init__(self, width: int, heads: int) -> None:
        super().__init__()
        _check_heads(width, heads)
        self.heads = heads
        self.norm1, self.norm2 = nn.LayerNorm(width), nn.LayerNorm(width)
        self.qkv = nn.Linear(width, 3 * width)
        self.out = nn.Linear(width, width)
        self.mlp = nn.Sequential(
            nn.Linear(width, 4 * width), nn.GELU(), nn.Linear(4 * width, width)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, T, C = x.shape  # batch, tokens, width
        q, k, v = self.qkv(self.norm1(x)).split(C, dim=-1)  # (B, T, C) each
        q, k, v = (z.view(B, T, self.heads, -1).transpose(1, 2) for z in (q, k, v))
        # (B, heads, T, C / heads); is_causal: token t sees tokens 0..t only
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.out(y.transpose(1, 2).reshape(B, T, C))  # (B, T, C)
        return x + self.mlp(self.norm2(x))  # (B, T, C)


class TinyLM(nn.Module):
    """A small GPT: token ids (B, T) in, next-token logits (B, T, vocab) out."""

    def __init__(self, vocab_size: int, cfg: LMConfig) -> None:
        super().__init__()
        _check_int("vocab_size", vocab_size, minimum=1)
        check_instance("cfg", cfg, LMConfig, "an LMConfig")
        self.context = cfg.context
        self.embed = nn.Embedding(vocab_size, cfg.width)
        self.position = nn.Embedding(cfg.context, cfg.width)
        self.blocks = nn.Sequential(
            *(Block(cfg.width, cfg.heads) for _ in range(cfg.layers))
        )
        self.norm = nn.LayerNorm(cfg.width)
        self.head = nn.Linear(cfg.width, vocab_size)  # one logit per token

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        ids = ids[:, -self.context :]  # (B, T) with T <= context
        positions = torch.arange(ids.shape[1])  # (T,)
        x = self.embed(ids) + self.position(positions)  # (B, T, width)
        return self.head(self.norm(self.blocks(x)))  # (B, T, vocab)


# --8<-- [end:model]


# --8<-- [start:pretrain]
def pretrain(
    cfg: LMConfig | None = None, sentences: Sequence[str] | None = None
) -> tuple[TinyLM, Vocab]:
    """Teach a fresh TinyLM to predict the next token of the corpus.

    The sentences are joined into one stream ("... mat . the dog ...") and each
    step trains on random windows of it: predict token t+1 from tokens 0..t.
    """
    cfg = LMConfig() if cfg is None else cfg
    sentences = load_corpus() if sentences is None else list(sentences)
    vocab = Vocab(sentences)
    stream = torch.tensor(vocab.encode(END + " " + " ".join(sentences)))  # (N,)
    if len(stream) <= cfg.context + 1:
        raise ValueError(
            f"sentences must hold more than context + 1 = {cfg.context + 1} tokens"
        )
    generator = torch.Generator().manual_seed(cfg.seed)  # the windows
    with torch.random.fork_rng():  # seeded initial weights; torch's own RNG untouched
        torch.manual_seed(cfg.seed)
        model = TinyLM(len(vocab), cfg)
    optimizer = torch.optim.AdamW(model.parameters(), lr=cfg.learning_rate)
    offsets = torch.arange(cfg.context + 1)  # (context + 1,)
    for _ in range(cfg.steps):
        starts = torch.randint(
            len(stream) - cfg.context - 1, (cfg.batch_size,), generator=generator
        )  # (B,)
        window = stream[starts[:, None] + offsets]  # (B, context + 1)
        logits = model(window[:, :-1])  # (B, context, vocab)
        loss = F.cross_entropy(logits.flatten(0, 1), window[:, 1:].flatten())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return model.eval(), vocab


# --8<-- [end:pretrain]


# --8<-- [start:policy]
def next_token_distribution(
    model: TinyLM, vocab: Vocab, prompt: str, temperature: float = 1.0
) -> dict[str, float]:
    """π(a | s): the probability of every next token after ``prompt``, largest first.

    This is the policy.  The state is the prompt (with "." in front: a sentence
    starts there); the actions are the vocabulary's tokens.
    """
    ids = torch.tensor([encode_prompt(vocab, prompt)])  # (1, T)
    with torch.no_grad():
        logits = model(ids)[0, -1]  # (vocab,) the logits for the next token only
    probs = torch.softmax(logits / _check_temperature(temperature, positive=True), -1)
    order = torch.argsort(probs, descending=True, stable=True)
    return {vocab.tokens[i]: float(probs[i]) for i in order}


def encode_prompt(vocab: Vocab, prompt: str) -> list[int]:
    """The state at the start of an episode: "." (a sentence starts) + the prompt."""
    if not isinstance(prompt, str) or not prompt.split():
        raise ValueError(f"prompt must be a non-empty string, got {prompt!r}")
    return [vocab.end_id, *vocab.encode(prompt)]


# --8<-- [end:policy]


# --8<-- [start:sampling]
def sample_next(
    logits: torch.Tensor, temperature: float, generator: torch.Generator
) -> torch.Tensor:
    """One next token per row of ``logits`` (B, vocab) -> (B,).

    Temperature 0 is argmax: deterministic, the same token every time.  Above 0
    it samples from softmax(logits / temperature): below 1 sharper, above 1 flatter.
    """
    if _check_temperature(temperature) == 0:
        return logits.argmax(-1)  # (B,) no randomness at all
    probs = torch.softmax(logits / temperature, dim=-1)  # (B, vocab)
    return torch.multinomial(probs, 1, generator=generator).squeeze(-1)  # (B,)


@dataclass(frozen=True, eq=False)
class Responses:
    """A batch of responses to one prompt, padded with "." after each one's end."""

    prompt: torch.Tensor  # (P,) the prompt's ids, "." first
    tokens: torch.Tensor  # (B, N) the response tokens, N <= max_new_tokens
    mask: torch.Tensor  # (B, N) True for the tokens of the response, "." included
    finished: torch.Tensor  # (B,) True where the response ended with "."


def generate(
    model: TinyLM,
    prompt_ids: Sequence[int],
    n: int,
    max_new_tokens: int,
    temperature: float,
    generator: torch.Generator,
) -> Responses:
    """Write ``n`` responses to one prompt, all at once, one token per step."""
    _check_int("n", n, minimum=1)
    _check_int("max_new_tokens", max_new_tokens, minimum=1)
    if len(prompt_ids) + max_new_tokens > model.context:
        raise ValueError(
            f"max_new_tokens must leave the prompt ({len(prompt_ids)} tokens) in the "
            f"model's context of {model.context}, got {max_new_tokens}"
        )
    end = int(prompt_ids[0])  # encode_prompt puts "." first
    prompt = torch.as_tensor(prompt_ids, dtype=torch.long)  # (P,)
    ids = prompt.repeat(n, 1)  # (n, P)
    done = torch.zeros(n, dtype=torch.bool)  # (n,)
    masks = []
    with torch.no_grad():
        for _ in range(max_new_tokens):
            logits = model(ids)[:, -1]  # (n, vocab) the next token's logits
            token = sample_next(logits, temperature, generator)  # (n,)
            token = torch.where(done, end, token)  # finished responses stay finished
            masks.append(~done)
            ids = torch.cat([ids, token[:, None]], dim=1)  # (n, P + t + 1)
            done = done | (token == end)
            if done.all():
                break
    return Responses(prompt, ids[:, len(prompt) :], torch.stack(masks, 1), done)


def response_texts(vocab: Vocab, responses: Responses) -> list[str]:
    """Each response as text, up to and including its "." ("..." if unfinished)."""
    check_instance(
        "responses", responses, Responses, "Responses (what generate returns)"
    )
    texts = []
    for tokens, mask, finished in zip(
        responses.tokens, responses.mask, responses.finished, strict=True
    ):
        text = vocab.decode(tokens[mask])
        texts.append(text if finished else text + " ...")
    return texts


# --8<-- [end:sampling]


# --8<-- [start:reward_model]
KIND_WORDS = frozenset(
    "happy glad kind calm warm soft sunny bright sweet safe smiled laughed sang "
    "purred wagged".split()
)
UNKIND_WORDS = frozenset(
    "sad angry lonely afraid alone cold wet dark stormy broken muddy cried hissed "
    "growled whined shivered bit".split()
)


def reward_model(response: str) -> float:
    """A stand-in for a learned reward model: it prefers kind, finished sentences.

    The score is 0 for an unfinished response (no "." at the end); otherwise it is
    0.5 + 0.5 (kind - unkind) / (kind + unkind), counting the words of each list,
    and 0.5 with neither.  So 1.0 is the most any response can score.

        >>> reward_model("the cat sat on the warm mat and purred .")
        1.0
        >>> reward_model("the cat sat on the cold floor and purred .")
        0.5
        >>> reward_model("the sea is vast and blue .")
        0.5
        >>> reward_model("the dog growled")  # unfinished
        0.0
    """
    check_instance("response", response, str, "a str (a response's text)")
    words = response.split()
    if not words or words[-1] != END:
        return 0.0
    kind = sum(word in KIND_WORDS for word in words)
    unkind = sum(word in UNKIND_WORDS for word in words)
    return 0.5 if kind + unkind == 0 else 0.5 + 0.5 * (kind - unkind) / (kind + unkind)


MAX_REWARD = 1.0


# --8<-- [end:reward_model]


# --8<-- [start:env]
class ResponseEnv(gym.Env):
    """Writing one response, as a Gymnasium environment.

    ## Observation Space
    The token ids so far, prompt included (a ``Sequence`` of ``Discrete(vocab)``).

    ## Action Space
    ``Discrete(vocab)``: the next token.

    ## Rewards
    0 after every token but the last; after the last, ``reward_model(response)``.

    ## Episode End
    Terminated when the action is "."; truncated after ``max_new_tokens`` tokens.

    ## Arguments
    ``prompts``: the env picks one per episode with ``np_random``.
    """

    def __init__(
        self,
        vocab: Vocab,
        prompts: Sequence[str],
        max_new_tokens: int = 12,
        reward_fn: Callable[[str], float] = reward_model,
    ) -> None:
        if not prompts:
            raise ValueError("prompts must hold at least one prompt, got none")
        self.vocab, self.reward_fn = vocab, reward_fn
        self.prompts = [encode_prompt(vocab, p) for p in prompts]
        self.max_new_tokens = _check_int("max_new_tokens", max_new_tokens, minimum=1)
        self.action_space = gym.spaces.Discrete(len(vocab))
        self.observation_space = gym.spaces.Sequence(
            gym.spaces.Discrete(len(vocab)), stack=True
        )  # observations are int64 arrays of any length

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        prompt = self.prompts[self.np_random.integers(len(self.prompts))]
        self.ids, self.written = list(prompt), 0
        return np.array(self.ids), {"prompt": self.vocab.decode(prompt[1:])}

    def step(self, action):
        if not self.action_space.contains(action):
            raise ValueError(f"action must be a token id in [0, {len(self.vocab)})")
        self.ids.append(int(action))  # the state gets one token longer
        self.written += 1
        terminated = int(action) == self.vocab.end_id
        truncated = not terminated and self.written == self.max_new_tokens
        reward = 0.0  # no score until the response is complete
        if terminated or truncated:
            reward = self.reward_fn(self.vocab.decode(self.ids[-self.written :]))
        return np.array(self.ids), reward, terminated, truncated, {}


# --8<-- [end:env]


# --8<-- [start:loop]
def write_response(env, model, generator, temperature=1.0, seed=None):
    """One episode: the model writes one response; (prompt, actions, rewards)."""
    obs, info = env.reset(seed=seed)
    actions, rewards, done = [], [], False
    while not done:
        with torch.no_grad():
            logits = model(torch.as_tensor(obs)[None])[:, -1]  # (1, vocab)
        action = int(sample_next(logits, temperature, generator)[0])
        obs, reward, terminated, truncated, _ = env.step(action)
        actions.append(action)
        rewards.append(reward)
        done = terminated or truncated
    return info["prompt"], actions, rewards


# --8<-- [end:loop]


# --8<-- [start:rl_config]
@dataclass(frozen=True)
class RLConfig:
    """REINFORCE on the pretrained model, with the end-of-response reward."""

    seed: int = 0
    """seeds the sampled responses"""
    prompts: tuple[str, ...] = ("the cat", "the dog", "the sea", "the cat sat on the")
    """each update writes ``responses_per_prompt`` responses to every prompt"""
    updates: int = 100
    """policy-gradient steps"""
    responses_per_prompt: int = 16
    """responses per prompt per update"""
    learning_rate: float = 2e-4
    """Adam's step size"""
    max_new_tokens: int = 12
    """a response still unfinished after this many tokens scores 0"""
    baseline: str = "mean"
    """"mean": subtract the mean reward of the prompt's responses (GRPO's group mean);
    "loo": the mean of the prompt's *other* responses (RLOO); "none": plain REINFORCE"""

    def __post_init__(self) -> None:
        _check_int("updates", self.updates, minimum=0)
        _check_int("responses_per_prompt", self.responses_per_prompt, minimum=1)
        _check_int("max_new_tokens", self.max_new_tokens, minimum=1)
        _check_positive("learning_rate", self.learning_rate)
        if not self.prompts or not all(isinstance(p, str) for p in self.prompts):
            raise ValueError(
                f"prompts must be a non-empty tuple of strings, got {self.prompts!r}"
            )
        if self.baseline not in ("mean", "loo", "none"):
            raise ValueError(
                f"baseline must be 'mean', 'loo' or 'none', not {self.baseline!r}"
            )


# --8<-- [end:rl_config]


# --8<-- [start:log_probs]
def response_log_probs(model: TinyLM, responses: Responses) -> torch.Tensor:
    """log π(a_t | s_t) of every response token, (B, N); 0 after a response ends."""
    check_instance(
        "responses", responses, Responses, "Responses (what generate returns)"
    )
    B = responses.tokens.shape[0]
    ids = torch.cat([responses.prompt.repeat(B, 1), responses.tokens], 1)  # (B, P+N)
    P = len(responses.prompt)
    logits = model(ids[:, :-1])[:, P - 1 :]  # (B, N, vocab): the logits for a_0..a_N-1
    logp = torch.log_softmax(logits, -1)  # (B, N, vocab)
    taken = logp.gather(-1, responses.tokens[..., None]).squeeze(-1)  # (B, N)
    return taken * responses.mask  # padding after "." is not an action


# --8<-- [end:log_probs]


# --8<-- [start:rl_update]
def token_weights(rewards: Sequence[float], lengths: Sequence[int], baseline: str):
    """The weight of every token of every response, (Σ lengths,), and the same
    weights as (B, N) rows.

    Each response's rewards are [0, ..., 0, R]: only the last token is scored.
    With γ = 1, returns_to_go gives G_t = R for every token: the whole response's
    score is credited to each of its tokens, the good ones and the bad ones alike.
    """
    _check_rewards_and_lengths(rewards, lengths)
    episodes = [[0.0] * (n - 1) + [r] for r, n in zip(rewards, lengths, strict=True)]
    R, k = np.asarray(rewards, dtype=np.float64), len(rewards)
    b = None
    if baseline == "mean":  # b = the prompt's mean reward, one number for its tokens
        b = np.full(k, R.mean())  # includes R_i itself: weights (k-1)/k of "loo"'s
    elif baseline == "loo" and k > 1:  # b_i = the mean of the *other* responses
        # (with k = 1 there is no other response, so no baseline)
        b = (R.sum() - R) / (k - 1)
    values = None
    if b is not None:
        values = torch.tensor(np.repeat(b, lengths), dtype=torch.float32)  # (Σ len,)
    weights = reinforce_weights(episodes, gamma=1.0, values=values)  # (Σ lengths,)
    rows = torch.zeros(len(lengths), max(lengths))  # (B, N)
    rows[torch.arange(max(lengths)) < torch.as_tensor(lengths)[:, None]] = weights
    return weights, rows


def rl_step(
    model, optimizer, vocab, cfg: RLConfig, generator, reward_fn=reward_model
) -> list[float]:
    """One REINFORCE update: write responses, score them, push log π by the weights.

    Returns the rewards of the responses it wrote (before the update).
    """
    check_instance("optimizer", optimizer, torch.optim.Optimizer, "a torch optimizer")
    check_instance("cfg", cfg, RLConfig, "an RLConfig")
    losses, all_rewards = [], []
    for prompt in cfg.prompts:
        responses = generate(
            model,
            encode_prompt(vocab, prompt),
            cfg.responses_per_prompt,
            cfg.max_new_tokens,
            temperature=1.0,
            generator=generator,
        )  # on-policy
        rewards = [reward_fn(t) for t in response_texts(vocab, responses)]
        lengths = responses.mask.sum(1).tolist()  # (B,) tokens per response
        _, weights = token_weights(rewards, lengths, cfg.baseline)  # (B, N)
        log_probs = response_log_probs(model, responses)  # (B, N)
        losses.append(
            policy_loss(log_probs.flatten(), weights.flatten(), n_episodes=len(rewards))
        )
        all_rewards += rewards
    loss = torch.stack(losses).mean()  # every prompt counts the same
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return all_rewards


# --8<-- [end:rl_update]


# --8<-- [start:train]
@dataclass(frozen=True, eq=False)
class RLResult:
    """A REINFORCE run: the improved model, and the mean reward of every update."""

    model: TinyLM
    mean_rewards: tuple[float, ...]  # per update, of the responses it sampled
    wall_s: float


def train_rl(
    model: TinyLM,
    vocab: Vocab,
    cfg: RLConfig | None = None,
    reward_fn: Callable[[str], float] = reward_model,
    progress: bool = False,
) -> RLResult:
    """Improve a copy of ``model`` with ``cfg.updates`` REINFORCE updates, scoring
    each response with ``reward_fn`` (text -> float)."""
    cfg = (
        RLConfig()
        if cfg is None
        else check_instance("cfg", cfg, RLConfig, "an RLConfig")
    )
    started = time.perf_counter()
    model = copy.deepcopy(model).train()  # the pretrained model stays as it was
    generator = torch.Generator().manual_seed(cfg.seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg.learning_rate)
    mean_rewards = []
    bar = tqdm(range(cfg.updates), "reinforce", disable=not progress, file=sys.stderr)
    for _ in bar:
        rewards = rl_step(model, optimizer, vocab, cfg, generator, reward_fn)
        mean_rewards.append(float(np.mean(rewards)))
        bar.set_postfix(reward=round(mean_rewards[-1], 3), refresh=False)
    return RLResult(model.eval(), tuple(mean_rewards), time.perf_counter() - started)


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


# --8<-- [end:train]


# --8<-- [start:credit]
def credit_assignment(
    model: TinyLM,
    vocab: Vocab,
    prompt: str,
    response: str,
    weight: float,
    learning_rate: float = 1e-3,
) -> list[tuple[str, float, float]]:
    """How one update with one end-of-response weight moves each token's log π.

    ``weight`` is R - b, the same for every token (γ = 1).  One plain gradient
    step on -weight · Σ_t log π(a_t|s_t); returns (token, log π before, after).
    """
    check_real("weight", weight)
    learning_rate = _check_positive("learning_rate", learning_rate)
    ids = encode_prompt(vocab, prompt) + vocab.encode(response)
    P = len(encode_prompt(vocab, prompt))
    if len(ids) > model.context or len(ids) == P:
        raise ValueError(
            f"response must have 1 to {model.context - P} tokens after this prompt, "
            f"got {len(ids) - P}"
        )
    responses = Responses(
        torch.tensor(ids[:P]),
        torch.tensor([ids[P:]]),
        torch.ones(1, len(ids) - P, dtype=torch.bool),
        torch.tensor([True]),
    )
    model = copy.deepcopy(model)
    before = response_log_probs(model, responses)[0]  # (N,)
    loss = -(weight * before).sum()  # every token gets the same weight
    loss.backward()
    with torch.no_grad():
        for p in model.parameters():
            assert p.grad is not None  # every parameter is on the path to the loss
            p.sub_(learning_rate * p.grad)  # one SGD step: p ← p - lr · ∂loss/∂p
        after = response_log_probs(model, responses)[0]  # (N,)
    return [
        (vocab.tokens[t], float(b), float(a))
        for t, b, a in zip(ids[P:], before.detach(), after, strict=True)
    ]


# --8<-- [end:credit]


# --8<-- [start:scoring_cost]
def forward_flops(model: nn.Module, ids: torch.Tensor) -> int:
    """Floating-point operations of one forward pass on ``ids``, counted by torch."""
    from torch.utils.flop_counter import FlopCounterMode

    if not isinstance(ids, torch.Tensor) or ids.ndim != 2:
        raise ValueError(
            "ids must be a (B, T) tensor of token ids, "
            f"got {getattr(ids, 'shape', ids)!r}"
        )

    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        model(ids)
    return counter.get_total_flops()


class TokenScorer(nn.Module):
    """Q(s, a) as a separate network: it reads the state with the candidate token
    appended and outputs one number.  Choosing a token needs one pass per token."""

    def __init__(self, lm: TinyLM) -> None:
        super().__init__()
        self.lm = check_instance(
            "lm", lm, TinyLM, "a TinyLM"
        )  # the same trunk; only the head differs
        self.q_head = nn.Linear(lm.head.in_features, 1)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:  # (B, T) -> (B,)
        ids = ids[:, -self.lm.context :]  # (B, T) with T <= context, as in TinyLM
        x = self.lm.embed(ids) + self.lm.position(torch.arange(ids.shape[1]))
        return self.q_head(self.lm.norm(self.lm.blocks(x)))[:, -1, 0]


def scoring_cost(model: TinyLM, vocab_size: int, context_ids: Sequence[int]) -> dict:
    """FLOPs to choose one next token after ``context_ids``, two ways.

    Policy: one forward pass gives every token's logit; sample one.  Value
    learning with a token scorer: score each of the ``vocab_size`` candidates
    (one forward pass each, counted on one and multiplied), then take the max.
    """
    _check_int("vocab_size", vocab_size, minimum=1)
    if len(context_ids) == 0:
        raise ValueError("context_ids must hold at least one token id")
    state = torch.tensor([list(context_ids)])  # (1, T)
    policy = forward_flops(model, state)
    one = forward_flops(TokenScorer(model), torch.cat([state, state[:, -1:]], 1))
    return {"policy": policy, "score_every_token": one * vocab_size}


# --8<-- [end:scoring_cost]


def _check_int(name: str, value, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")
    return int(value)


def _check_positive(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not float(value) > 0:
        raise ValueError(f"{name} must be a number > 0, got {value!r}")
    return float(value)


def _check_heads(width: int, heads: int) -> None:
    _check_int("width", width, minimum=1), _check_int("heads", heads, minimum=1)
    if width % heads:
        raise ValueError(f"width must divide by heads ({heads}), got {width}")


def _check_rewards_and_lengths(
    rewards: Sequence[float], lengths: Sequence[int]
) -> None:
    if len(rewards) == 0:
        raise ValueError("rewards is empty; it needs one reward per response")
    if len(lengths) != len(rewards):
        raise ValueError(
            f"lengths must have one entry per reward ({len(rewards)}), "
            f"got {len(lengths)}"
        )
    for n in lengths:
        _check_int("lengths (each)", n, minimum=1)
    for r in rewards:
        check_real("rewards (each)", r)


def _check_temperature(value, positive: bool = False) -> float:
    number = isinstance(value, Real) and not isinstance(value, bool)
    ok = number and np.isfinite(float(value))
    if not ok or value < 0 or (positive and value == 0):
        rule = "> 0" if positive else ">= 0"
        raise ValueError(f"temperature must be a finite number {rule}, got {value!r}")
    return float(value)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description="Pretrain a tiny LM, then REINFORCE.")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--updates", type=int, default=RLConfig.updates)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    lm_cfg = LMConfig(seed=args.seed)
    rl_cfg = dataclasses.replace(RLConfig(), seed=args.seed, updates=args.updates)
    model, vocab = pretrain(lm_cfg)
    pretrain_s = time.perf_counter() - started
    before = mean_reward(model, vocab, rl_cfg.prompts, 256, rl_cfg.max_new_tokens, 123)
    result = train_rl(model, vocab, rl_cfg, progress=True)
    after = mean_reward(
        result.model, vocab, rl_cfg.prompts, 256, rl_cfg.max_new_tokens, 123
    )
    out = {
        "seed": args.seed,
        "parameters": sum(p.numel() for p in model.parameters()),
        "vocab": len(vocab),
        "pretrain_s": round(pretrain_s, 2),
        "rl_s": round(result.wall_s, 2),
        "reward_before": round(before, 4),
        "reward_after": round(after, 4),
    }
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    torch.set_num_threads(1)  # small networks: one thread is faster and steadier
    main()
