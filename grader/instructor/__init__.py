"""What an instructor uses: the batch judge, the class report, the hand-out and the Gradescope
bundle, and their templates."""
