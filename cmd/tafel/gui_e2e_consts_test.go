package main

const preflightTitleEN = "Tech check"
