"""The PynamoDB models and table definitions: the only description of the tables."""
