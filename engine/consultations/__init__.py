"""The neighbourhood's consultation on a stage: ideas, reactions, supports, answers, moderation."""
