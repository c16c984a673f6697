"""What every blueprint shares: error pages, security headers, input checks, lookups that
404, the rendering of a round's pages, CSV downloads and the question widgets of the templates.

This package imports no blueprint: surveyapp.app wires it and the blueprints together.
"""
