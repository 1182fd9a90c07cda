"""Demo knowledge articles: the problems that recurred most, written up and mostly reviewed.

After the months are generated, the contract's most frequent problems (「常见问题」 of
:mod:`app.records.knowledge`) are promoted from their latest record into knowledge
articles by the engineer on duty that day, tagged with the kind of record and its
system; two in three are reviewed (a 复核人 signature of the project manager) two
hours later. A contract that already has articles
gets none.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from app.records import articles, knowledge
from db.models import KnowledgeArticle

#: how many of the most frequent problems become articles
ARTICLES = 10
#: at which hour of the day after its latest occurrence an article is written
WRITTEN_AT = time(16, 0)
#: how long after it is written the project manager reviews it
REVIEWED_AFTER = timedelta(hours=2)


class ArticlesPart:
    """The articles part of the demo generator; its state is the generator's (generator.py)."""

    def _articles(self) -> None:
        exists = self.s.scalar(
            select(KnowledgeArticle.id).where(KnowledgeArticle.contract_id == self.contract.id)
        )
        if exists is not None:
            return
        problems = knowledge.common_problems(
            self.s, self.contract.code, since=self.start, until=self.until, limit=ARTICLES
        )
        rng = self.rng("articles")
        for n, problem in enumerate(problems):
            if not problem.solution or problem.last_at is None:
                continue
            written = min(
                datetime.combine(problem.last_at.date(), WRITTEN_AT) + timedelta(days=1),
                self.as_of - timedelta(hours=3, minutes=n),
            )
            assert problem.latest is not None
            source_type, source_id, _open = problem.latest
            author = self._duty(written.date())
            kind = problem.kinds.most_common(1)[0][0]
            tags = [kind, *[name for name, _n in problem.systems.most_common(1)]]
            if problem.count >= 5:
                tags.append("高频")
            article = articles.promote(
                self.s,
                source_type,
                source_id,
                author=author.name,
                now=written,
                tags=tags,
                solution=problem.solution,
            )
            article.created_at = article.updated_at = written
            self.s.flush()
            if rng.random() < 2 / 3:
                self._sign(article, "复核人", self.pm.name, written + REVIEWED_AFTER)
