"""Migration: the planner, the codemods and the project-file edits that `apply` writes."""
