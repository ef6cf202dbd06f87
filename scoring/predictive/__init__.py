"""Predictive scoring: a conversion-probability model per tenant, learnt from its closed leads.

``features`` turns a lead into named numbers (pure), ``model`` trains and evaluates a logistic
regression with scikit-learn and keeps it as plain JSON (pure; predicting needs no pickle and no
scikit-learn), ``services`` reads the tenant's history, stores versions and applies the active
one.
"""
