"""Steering: sales strategy, KPIs against targets, incentives and next best actions."""
