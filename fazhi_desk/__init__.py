"""fazhi-desk (法治政府建设检查台): a desktop checklist of rule-of-law obligations for township offices.

The version number lives here and only here.
"""

__version__ = "0.1.0"
APP_NAME = "fazhi-desk"
APP_TITLE = "法治政府建设检查台"
