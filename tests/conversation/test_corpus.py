"""The conversation corpus, played through signed webhooks on SQLite and on PostgreSQL + Redis in one service start
each: every citizen message lands in exactly one place, the right one, and gets an answer."""
from __future__ import annotations

from tests.conversation.corpus.runner import Player
from tests.conversation.corpus.scripts import SCRIPTS
from tests.support.stubs import PlatformStub


def test_the_corpus_lands_every_message_and_answers_it(make_server, platform_stub: PlatformStub, backend: str) -> None:
    assert len(SCRIPTS) >= 60
    server = make_server(backend)
    player = Player(server, platform_stub)
    for script in SCRIPTS:
        player.play(script)
    outcome = player.outcome
    print(f"corpus: {len(SCRIPTS)} scripts, {outcome.messages} citizen messages, {len(outcome.misfiled)} misfiled, "
          f"{len(outcome.unanswered)} unanswered, {len(outcome.other)} other")
    assert not outcome.problems, "\n".join(outcome.problems)
