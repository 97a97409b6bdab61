"""Schema migrations, applied in numeric order by `flask --app zcweb init-db`."""
