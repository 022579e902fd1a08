from grader.worker.server import main

main()
