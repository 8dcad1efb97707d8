"""The CRM import pipeline: readers → presets/mapping → coercers → validation → writer → service."""
