"""Voice recordings of replies, for people who do not read: uploaded and reviewed on the
staff pages, stored in the database, sent after the text on WhatsApp to those who ask."""
