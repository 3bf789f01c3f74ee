"""A person's control over what is kept about them (AVG/GDPR): their account, a download of
everything, deletion, and how long the site keeps mail, links and notifications."""
