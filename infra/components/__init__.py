"""The component constructs the stack composes: one AWS concern each, keyword-only inputs."""
