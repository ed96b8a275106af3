"""xunjian (巡检): monitor Chinese government websites the way official inspections judge them."""

__version__ = "0.1.0"
