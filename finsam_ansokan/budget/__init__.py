"""Budget: budget years, huvudområden, frames (ramar) and what is granted from them."""
