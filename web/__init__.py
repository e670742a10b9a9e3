"""The web shell every page room uses: templating, security middleware, sign-in and request dependencies."""
