from grader.engine.worker.server import main

main()
