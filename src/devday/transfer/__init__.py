"""Moving data in and out: Taskwarrior and Todoist imports, a user's full export and import,
and the server's backup and restore."""
