"""What a learner uses: the learner's commands, watch mode, progress, the workspace, the
notebook check, the pictures, the challenge and the names data set."""
