"""Background work, and the files built from the analysis.

runner: the one way to start a background job; exports: the Excel summary's jobs and build;
downloads: personal data handed out as files, each download audited; mail_sending: the send
loop of a mail batch. Everything about a job lives in the database, so any worker can show
its progress, and a job whose worker died is shown as stopped with its reason (an export by
its silent heartbeat, a mail batch by its silent claims) and can be started again.

Jobs run in threads of the web worker, not in a task queue such as huey. A queue needs a
consumer process beside the web server, which `make run` and every deployment would have to
start and watch; a few exports and mail batches a day do not pay for that. What a queue
would add, surviving the worker, the database already gives: each job commits its progress
as it goes, so a dead one is told apart from a slow one and started again from its page.
"""
