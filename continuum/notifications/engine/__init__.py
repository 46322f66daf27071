"""The outbox's delivery engine: claim due rows (`claim`), deliver claimed batches
(`batch`), word them (`render`) and send them on their channels (`channels`).

Other apps never call it: they put notifications in the outbox through
`continuum.notifications.services`; the beat and the urgent worker run the engine
(`continuum.notifications.tasks`)."""
